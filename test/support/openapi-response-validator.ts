import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';

const DOCUMENT_ID = 'https://agent-runner.local/openapi.json';
const METHODS_IN_DOCUMENT = new Set(['GET', 'PUT', 'POST', 'DELETE', 'PATCH']);

/** One answer of the service, as seen on the wire. */
export interface ObservedResponse {
  method: string;
  /** The matched route's template (`/api/v1/tasks/:id`), undefined when no route matched. */
  route: string | undefined;
  status: number;
  contentType: string | undefined;
  body: string;
}

type Json = Record<string, unknown>;

/**
 * Checks answers against the published OpenAPI document: the status must be declared for the
 * operation, the content type declared for that status, and the body valid against its schema.
 * Stricter than OpenAPI on one point, on purpose: an object schema that lists its properties
 * allows no others unless it says so, so a field the service sends but the document does not
 * describe is a drift too. Answers to unknown routes must have the error shape.
 */
export class OpenApiResponseValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly errorSchemaRef: string;

  constructor(private readonly doc: OpenAPIObject) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({
      ...closeObjects(structuredClone(doc) as unknown as Json),
      $id: DOCUMENT_ID,
    });
    this.errorSchemaRef = `${DOCUMENT_ID}#/components/schemas/ErrorResponseDto`;
  }

  /** Problems with one answer; empty when it matches the document. */
  check(res: ObservedResponse): string[] {
    const method = res.method.toUpperCase();
    if (!METHODS_IN_DOCUMENT.has(method)) return [];
    const where = `${method} ${res.route ?? '(no route)'} → ${res.status}`;
    if (res.route === undefined) {
      return this.validateJson(this.errorSchemaRef, res, where, 'application/json');
    }
    const path = res.route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation = (this.doc.paths[path] as Json | undefined)?.[method.toLowerCase()] as
      { responses: Record<string, { content?: Record<string, unknown> }> } | undefined;
    // Routes the document leaves out on purpose (/metrics, /docs*) are not checked here.
    if (!operation) return [];
    const key = String(res.status) in operation.responses ? String(res.status) : 'default';
    const declared = operation.responses[key];
    if (!declared) return [`${where}: status ${res.status} is not declared`];
    const media = mediaType(res.contentType);
    if (!declared.content) {
      return res.body.length ? [`${where}: a body is sent but none is declared`] : [];
    }
    if (!media || !(media in declared.content)) {
      return [
        `${where}: content type ${media ?? '(none)'} is not declared (${Object.keys(declared.content).join(', ')})`,
      ];
    }
    if (media !== 'application/json') return [];
    const pointer = ['paths', path, method.toLowerCase(), 'responses', key, 'content', media]
      .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    return this.validateJson(`${DOCUMENT_ID}#/${pointer}/schema`, res, where, media);
  }

  /**
   * Problems with an excerpt of a body (docs quote answers shortened): each field it shows must
   * be a property of `schema` and hold a valid value; fields left out are not missed.
   */
  checkExcerpt(schema: string, excerpt: Record<string, unknown>): string[] {
    const properties = (
      (this.doc.components?.schemas?.[schema] ?? {}) as { properties?: Record<string, unknown> }
    ).properties;
    if (!properties) return [`no schema ${schema}`];
    return Object.entries(excerpt).flatMap(([key, value]) => {
      if (!(key in properties)) return [`${schema}: ${key} is not a property`];
      const ref = `${DOCUMENT_ID}#/components/schemas/${schema}/properties/${key}`;
      let validate = this.compiled.get(ref);
      if (!validate) {
        validate = this.ajv.compile({ $ref: ref });
        this.compiled.set(ref, validate);
      }
      return validate(value)
        ? []
        : (validate.errors ?? []).map((e) => `${schema}.${key}${e.instancePath} ${e.message}`);
    });
  }

  private validateJson(ref: string, res: ObservedResponse, where: string, media: string): string[] {
    if (mediaType(res.contentType) !== media) {
      return [`${where}: content type ${res.contentType ?? '(none)'} instead of ${media}`];
    }
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return [`${where}: the body is not JSON: ${res.body.slice(0, 200)}`];
    }
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${where}: body${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
  }
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase() || undefined;
}

/**
 * Object schemas that list properties get `additionalProperties: false` unless they say
 * otherwise; schemas combined with others in an `allOf` stay open (a closed part would refuse
 * the other parts' properties).
 */
function closeObjects(doc: Json): Json {
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const combined = new Set<string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (!node || typeof node !== 'object') return;
    const allOf = (node as Json).allOf;
    if (Array.isArray(allOf) && allOf.length > 1) {
      for (const part of allOf as Json[]) {
        if (typeof part.$ref === 'string') combined.add(part.$ref.split('/').pop()!);
        else part.__open = true;
      }
    }
    Object.values(node).forEach(collect);
  };
  collect(doc);
  const close = (node: unknown, open = false): void => {
    if (Array.isArray(node)) return node.forEach((n) => close(n));
    if (!node || typeof node !== 'object') return;
    const schema = node as Json;
    const keepOpen = open || schema.__open === true;
    delete schema.__open;
    if (!keepOpen && schema.properties && schema.additionalProperties === undefined) {
      schema.additionalProperties = false;
    }
    for (const value of Object.values(schema)) close(value);
  };
  for (const [name, schema] of Object.entries(schemas)) close(schema, combined.has(name));
  close(doc.paths);
  return doc;
}
