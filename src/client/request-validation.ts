import type { Type } from '@nestjs/common';
import { UpdateConfigDto } from '../admin/dto/update-config.dto';
import { UpdateModelConfigDto } from '../admin/dto/update-model-config.dto';
import { ValidateConfigDto } from '../admin/dto/validate-config.dto';
import { BatchRequestDto } from '../agent/http/dto/batch-request.dto';
import {
  BatchIdParamDto,
  ListTasksQueryDto,
  TaskIdParamDto,
} from '../agent/http/dto/task-query.dto';
import { TaskRequestDto } from '../agent/http/dto/task-request.dto';
import type { BatchRequest } from '../agent/batches/task-batch.service';
import type { TaskRequest } from '../contracts/task.types';
import { createValidationPipe } from '../common/validation.pipe';
import type { PartialConfig } from '../config/config.schema';
import type { ListTasksQuery, ModelConfigUpdate } from './api-client';
import { toWire } from '../common/plain-data';

/**
 * The HTTP edge's validation (same DTOs, same pipe, same InvalidRequestError and details) for
 * callers that do not cross HTTP, so every transport rejects the same input the same way.
 */
const pipe = createValidationPipe();

async function validate<T>(
  metatype: Type<unknown>,
  value: unknown,
  type: 'body' | 'query' | 'param',
): Promise<T> {
  // As sent over the wire: undefined keys vanish, exactly as JSON.stringify drops them.
  const checked = await pipe.transform(toWire(value), { type, metatype, data: undefined });
  return toWire(checked) as T;
}

export const validTaskRequest = (request: unknown) =>
  validate<TaskRequest>(TaskRequestDto, request, 'body');

export const validBatchRequest = (batch: unknown) =>
  validate<BatchRequest>(BatchRequestDto, batch, 'body');

export const validListQuery = (query: unknown) =>
  validate<ListTasksQuery>(ListTasksQueryDto, query ?? {}, 'query');

export async function validTaskId(id: unknown): Promise<string> {
  return (await validate<{ id: string }>(TaskIdParamDto, { id }, 'param')).id;
}

export async function validBatchId(batchId: unknown): Promise<string> {
  return (await validate<{ batch_id: string }>(BatchIdParamDto, { batch_id: batchId }, 'param'))
    .batch_id;
}

export const validConfigPatch = (patch: unknown) =>
  validate<PartialConfig>(UpdateConfigDto, patch, 'body');

export const validModelPatch = (patch: unknown) =>
  validate<ModelConfigUpdate>(UpdateModelConfigDto, patch, 'body');

export async function validConfigToValidate(config: unknown): Promise<Record<string, unknown>> {
  return (
    await validate<{ config: Record<string, unknown> }>(ValidateConfigDto, { config }, 'body')
  ).config;
}
