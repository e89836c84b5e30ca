import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module';
import { ExecutionModule } from '../execution/execution.module';
import { ModelModule } from '../model/model.module';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

@Module({
  imports: [AgentModule, ModelModule, ExecutionModule],
  controllers: [StatusController],
  providers: [StatusService],
  exports: [StatusService],
})
export class StatusModule {}
