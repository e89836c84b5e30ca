import { Module } from '@nestjs/common';
import { ModelModule } from '../model/model.module';
import { ConfigAdminService } from './config-admin.service';
import { ConfigController } from './config.controller';

@Module({
  imports: [ModelModule],
  controllers: [ConfigController],
  providers: [ConfigAdminService],
  exports: [ConfigAdminService],
})
export class AdminModule {}
