import type { OpenApiDocument } from './build-document.js';
import type { JsonSchema } from './json-schema.js';

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function schemaBlock(title: string, value: unknown): string {
  return `<details><summary>${escapeHtml(title)}</summary><pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre></details>`;
}

function operationHtml(path: string, method: string, operation: JsonSchema): string {
  const responses = (operation.responses ?? {}) as Record<string, JsonSchema>;
  const blocks = [
    operation.parameters ? schemaBlock('parameters', operation.parameters) : '',
    operation.requestBody ? schemaBlock('request body', operation.requestBody) : '',
    ...Object.entries(responses).map(([status, response]) =>
      schemaBlock(`${status}: ${String(response.description ?? '')}`, response.content ?? 'no body'),
    ),
  ];
  return [
    `<section id="${escapeHtml(String(operation.operationId))}">`,
    `<h3><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></h3>`,
    `<p>${escapeHtml(String(operation.summary ?? ''))}</p>`,
    `<p class="access">${escapeHtml(String(operation.description ?? ''))}</p>`,
    ...blocks,
    '</section>',
  ].join('\n');
}

/**
 * `GET /api/docs`: the document as one self-contained page, rendered here on the server. Nothing is
 * fetched at run time (no CDN, no script), so it works on a ward network without the internet.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const sections = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => operationHtml(path, method, operation)),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(document.info.title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
section { border-top: 1px solid #ccc; padding: 0.5rem 0; }
pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; }
.access { color: #555; }
</style>
</head>
<body>
<h1>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</h1>
<p>${escapeHtml(document.info.description)}</p>
<p>The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)}); any OpenAPI viewer can load it.</p>
${schemaBlock('error codes', document.components.schemas.ErrorCode)}
${sections.join('\n')}
</body>
</html>
`;
}
