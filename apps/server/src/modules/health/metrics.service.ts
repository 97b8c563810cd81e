import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of this instance, served on GET /metrics. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'bellhop_ws_connections',
    help: 'Open WebSocket connections on this instance',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly handshakes = new Counter({
    name: 'bellhop_ws_handshakes_total',
    help: 'WebSocket handshakes by result (ok, or the refusing HTTP status)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly messages = new Counter({
    name: 'bellhop_messages_total',
    help: 'Messages stored (acked) by this instance',
    labelNames: ['sender'] as const,
    registers: [this.registry],
  });

  readonly ackLatency = new Histogram({
    name: 'bellhop_message_ack_seconds',
    help: 'Time from receiving message.send to sending its ack (includes the commit)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly commitBatchSize = new Histogram({
    name: 'bellhop_message_commit_batch_size',
    help: 'Messages committed per group-commit transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'bellhop_errors_total',
    help: 'Error answers by transport and code',
    labelNames: ['transport', 'code'] as const,
    registers: [this.registry],
  });

  readonly dbPool = new Gauge({
    name: 'bellhop_db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'bellhop_' });
  }
}
