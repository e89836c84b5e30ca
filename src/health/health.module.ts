import { Global, Module, OnModuleInit } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfigService } from '../config/app-config.service';
import { HealthController } from './health.controller';
import { ReadinessRegistry } from '../contracts/readiness.registry';

/** Registry of readiness checks (global, so any module can add one) and the health routes. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry],
})
export class HealthModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    this.readiness.register({
      name: 'config',
      check: () => ({
        ok: true,
        file: this.config.file ?? null,
        warnings: this.config.warnings.map((w) => `${w.path}: ${w.message}`),
      }),
    });
  }
}
