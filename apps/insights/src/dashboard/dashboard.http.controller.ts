import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { ProblemError } from '@smp/http';
import { InsightsConfig } from '../insights.config.js';

export interface Me {
  role: 'admin' | 'regulator' | 'clinic';
  clinicId: string | null;
}

@ApiTags('dashboard')
@Controller()
export class DashboardHttpController {
  constructor(private readonly config: InsightsConfig) {}

  /** Who the presented key is: the dashboard opens the view its role allows. */
  @Get('v1/me')
  @ApiBearerAuth()
  @Roles('clinic', 'regulator', 'admin')
  @ApiOperation({ summary: "The presented key's role, and its clinic for a clinic key" })
  @ApiOkResponse({ schema: { example: { role: 'clinic', clinicId: 'CLN-00001' } } })
  me(@CurrentPrincipal() principal: Principal): Me {
    // @Roles has already turned anonymous callers away with a 401; this only narrows the type.
    if (principal.kind !== 'key') throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'This endpoint needs an API key.');
    return { role: principal.role, clinicId: principal.role === 'clinic' ? principal.clinicId : null };
  }

  /** The report form's short address. */
  @Get('report')
  @ApiExcludeEndpoint()
  @Redirect('/report/', 301)
  reportForm(): void {}

  /** What the dashboard's scripts need to know about the deployment. */
  @Get('dashboard/config.json')
  @ApiExcludeEndpoint()
  configuration(): { intakeUrl: string } {
    return { intakeUrl: this.config.INTAKE_PUBLIC_URL.replace(/\/$/, '') };
  }
}
