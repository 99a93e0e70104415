import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { InsightsConfig } from '../insights.config.js';
import { CHART_JS_FILE, chartJsDirectory, dashboardContentSecurityPolicy, findDashboardDirectory } from './dashboard-assets.js';

/**
 * Serves the dashboard's files at / (one route per file, so every other path
 * still reaches Nest and its problem-details 404) and Chart.js at
 * /vendor/chart.js/chart.umd.min.js. Open routes: the pages hold no data; the
 * data comes from the API with the key the user signs in with.
 */
@Injectable()
export class DashboardStaticFiles implements OnModuleInit {
  private readonly logger = new Logger(DashboardStaticFiles.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: InsightsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const root = findDashboardDirectory();
    if (!root) {
      this.logger.warn('The dashboard files (apps/insights/dashboard) were not found; / is not served.');
      return;
    }
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const policy = dashboardContentSecurityPolicy(this.config.INTAKE_PUBLIC_URL);
    const headers = (reply: FastifyReply) => {
      reply.header('content-security-policy', policy);
      // Revalidate each time (ETag): a new version is picked up at once, an unchanged file costs a 304.
      reply.header('cache-control', 'no-cache');
    };
    await fastify.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: 'index.html',
      // /report redirects to /report/ in DashboardHttpController (the plugin's own redirect fails on the root prefix).
      redirect: false,
      setHeaders: headers,
    });
    await fastify.register(fastifyStatic, {
      root: chartJsDirectory(),
      prefix: '/vendor/chart.js/',
      decorateReply: false,
      allowedPath: (pathname) => pathname === `/${CHART_JS_FILE}`,
      setHeaders: (reply: FastifyReply) => reply.header('cache-control', 'public, max-age=86400'),
    });
  }
}
