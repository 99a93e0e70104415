/**
 * Layer rules, checked on every `npm test` (npm run lint):
 * libs never import apps, apps never import each other, the pure libs
 * (domain, statistics) import no framework, database or broker, and there
 * are no cycles.
 */
const INFRASTRUCTURE = '^(node_modules/)?(@nestjs|typeorm|pg|kafkajs|cloudevents|nestjs-pino|fastify)';

module.exports = {
  forbidden: [
    {
      name: 'lib-imports-app',
      severity: 'error',
      comment: 'A lib is shared by apps; it must never depend on one.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'app-imports-app',
      severity: 'error',
      comment: 'Apps share code through libs, not through each other.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'pure-lib-imports-infrastructure',
      severity: 'error',
      comment: 'Domain rules and statistics are pure functions: no Nest, no database, no Kafka.',
      from: { path: '^libs/(domain|statistics)/' },
      to: { path: [INFRASTRUCTURE, '^libs/(?!domain|statistics)'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^\\.cache/|\\.spec\\.ts$|\\.int-spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
