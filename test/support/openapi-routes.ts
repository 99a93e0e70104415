/**
 * The routes of a running app, read from its OpenAPI document (/docs-json):
 * the fuzz and the probes cover every endpoint an app documents, so a new
 * endpoint is covered the day it is documented.
 */
export interface DocumentedRoute {
  method: string;
  /** OpenAPI path template, e.g. /v1/reports/{caseId}/follow-ups. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  headerParams: string[];
  /** The request body's schema name (components.schemas), if it has a JSON body. */
  bodySchema?: string;
  /** Example bodies from the document. */
  examples: unknown[];
  /** Whether the route needs an API key (a security requirement). */
  secured: boolean;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: {
    content?: Record<string, { schema?: { $ref?: string }; example?: unknown; examples?: Record<string, { value: unknown }> }>;
  };
  security?: unknown[];
}

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema & { $ref?: string; items?: JsonSchema & { $ref?: string } }>;
  required?: string[];
}

export async function documentedRoutes(base: string): Promise<{ document: OpenApiDocument; routes: DocumentedRoute[] }> {
  const response = await fetch(`${base}/docs-json`);
  if (!response.ok) throw new Error(`${base}/docs-json answered ${response.status}`);
  const document = (await response.json()) as OpenApiDocument;
  const routes: DocumentedRoute[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const json = operation.requestBody?.content?.['application/json'];
      const unique = (kind: string) => [
        ...new Set(parameters.filter((p) => p.in === kind).map((p) => (kind === 'header' ? p.name.toLowerCase() : p.name))),
      ];
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams: unique('path'),
        queryParams: unique('query'),
        headerParams: unique('header'),
        bodySchema: json?.schema?.$ref?.split('/').pop(),
        examples: json
          ? [...Object.values(json.examples ?? {}).map((example) => example.value), ...(json.example === undefined ? [] : [json.example])]
          : [],
        secured: (operation.security ?? []).length > 0,
      });
    }
  }
  return { document, routes };
}

/** Every property name any documented schema knows: a generated "unknown" key must be none of them. */
export function knownPropertyNames(document: OpenApiDocument): Set<string> {
  const names = new Set<string>();
  for (const schema of Object.values(document.components?.schemas ?? {}))
    for (const name of Object.keys(schema.properties ?? {})) names.add(name);
  return names;
}

/** The route's path with its parameters filled in (each value URL-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_whole, name: string) => encodeURIComponent(values[name] ?? `unknown-${name}`));
}
