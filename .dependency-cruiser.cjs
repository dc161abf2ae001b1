/**
 * The direction of dependencies (`npm run lint`): no import cycles, and the infrastructure libraries never import a
 * feature library. Infrastructure is what every feature may build on; features may import each other only without
 * cycles; apps compose everything.
 */
const INFRASTRUCTURE = '^libs/(config|common|contract|database|events|lifecycle|logging|metrics)/';
const SPECS = '\\.(int-)?spec\\.ts$';
const FEATURES = '^libs/(accounts|admin|auth|device-grant|devices|health|qr-sessions|rate-limits|realtime|sdk|sign-in-alerts|socket-server|tokens)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: two modules that need each other should be one, or share a third.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'infrastructure-imports-no-feature',
      severity: 'error',
      comment: 'config, common, contract, database, events, lifecycle, logging and metrics must not know the features built on them.',
      // Specs compose like an app (the migrations drift test needs every entity).
      from: { path: INFRASTRUCTURE, pathNot: SPECS },
      to: { path: FEATURES },
    },
    {
      name: 'libs-import-no-app',
      severity: 'error',
      comment: 'Libraries never import an app (apps are composition roots).',
      from: { path: '^libs/', pathNot: SPECS },
      to: { path: '^apps/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.mjs', '.js', '.json'],
    },
  },
};
