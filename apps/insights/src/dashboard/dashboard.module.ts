import { Module } from '@nestjs/common';
import { DashboardHttpController } from './dashboard.http.controller.js';
import { DashboardStaticFiles } from './dashboard-static.service.js';

/** The web dashboard: static pages at / and /report/, Chart.js, and the two small endpoints the pages need. */
@Module({ controllers: [DashboardHttpController], providers: [DashboardStaticFiles] })
export class DashboardModule {}
