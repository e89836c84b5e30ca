import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { AppConfigService } from './app-config.service';
import { CONFIG_SECTIONS } from './config.schema';
import { ConfigLoadOptions, LoadedConfig, loadConfig } from './config.loader';

export const LOADED_CONFIG = Symbol('LOADED_CONFIG');

/**
 * Loads and validates the configuration once, then provides it two ways:
 * - `AppConfigService`: the live configuration every module reads at use time;
 * - `@nestjs/config`'s `ConfigService` with one namespace per section, holding the values the
 *   process started with (for start-up-only keys such as `service.bind_address`).
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(source: ConfigLoadOptions | LoadedConfig = {}): DynamicModule {
    const loaded = 'config' in source ? source : loadConfig(source);
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: CONFIG_SECTIONS.map((s) => registerAs(s, () => ({ ...loaded.config[s] }))),
        }),
      ],
      providers: [
        { provide: LOADED_CONFIG, useValue: loaded },
        { provide: AppConfigService, useFactory: () => new AppConfigService(loaded) },
      ],
      exports: [AppConfigService, LOADED_CONFIG],
    };
  }
}
