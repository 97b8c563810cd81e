import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Health } from '@bellhop/protocol';
import { HealthService } from './health.service.js';

/** Probes for load balancers and orchestrators, and metrics. No authentication. */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process answers. Never touches the database. */
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  live(): Health {
    return { status: 'ok' };
  }

  /** Readiness: the database answers. */
  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response): Promise<Health> {
    if (await this.health.ready()) return { status: 'ok' };
    res.status(503);
    return { status: 'unavailable' };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    const { contentType, body } = await this.health.metricsText();
    res.setHeader('Content-Type', contentType);
    return body;
  }
}
