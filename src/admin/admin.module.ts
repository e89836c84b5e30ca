import { Module } from '@nestjs/common';
import { ConfigAdminService } from './config-admin.service';
import { ConfigController } from './config.controller';

@Module({
  controllers: [ConfigController],
  providers: [ConfigAdminService],
  exports: [ConfigAdminService],
})
export class AdminModule {}
