import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
// The storage class-transformer's @Type() writes to, so nested DTOs become nested schemas.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';

export interface OpenApiOptions {
  title: string;
  description: string;
}

/**
 * `/docs` (Swagger UI) and `/docs-json` (OpenAPI 3). Request schemas are
 * derived from the same class-validator rules that validate requests, so the
 * document cannot drift from what the API accepts.
 */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer smpv_…' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const derived = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    classTransformerMetadataStorage: defaultMetadataStorage as never,
  });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...(derived as OpenAPIObject['components'] & object) },
  };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  return document;
}
