import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfigService } from './app-config.service';
import { ConfigLoadOptions, LoadedConfig, loadConfig } from './config.loader';

export const LOADED_CONFIG = Symbol('LOADED_CONFIG');

/**
 * Loads and validates the configuration once and provides `AppConfigService`, the live
 * configuration every module reads at use time, and `LOADED_CONFIG`, the result of the load
 * (the configuration the process started with, its warnings and file).
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(source: ConfigLoadOptions | LoadedConfig = {}): DynamicModule {
    const loaded = 'config' in source ? source : loadConfig(source);
    return {
      module: AppConfigModule,
      providers: [
        { provide: LOADED_CONFIG, useValue: loaded },
        { provide: AppConfigService, useFactory: () => new AppConfigService(loaded) },
      ],
      exports: [AppConfigService, LOADED_CONFIG],
    };
  }
}
