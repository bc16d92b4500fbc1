import * as cdk8sModule from 'cdk8s';
import { App } from 'cdk8s';
import { KeyAlgorithm } from '../certificates';
import { GatewayImplementation } from '../edge/envoy';
import { EdgeKind } from '../edge/factory';
import { NginxIngressEdge, NginxControllerSettings } from '../edge/nginx';
import { AcmeDirectory, AcmeIssuer, AcmeServer, AcmeSolver, CaIssuer, ExternalIssuer, LetsEncryptIssuer, LetsEncryptProfile, Route53Credentials, SelfSignedIssuer } from '../issuers';
import { InternalCa } from '../pki';
import { FrameOptions } from '../policy/headers';
import { TlsProfile } from '../policy/tls-profiles';
import { TlsStackChart } from '../stack';
import { AppProtocol, ProbeKind, TlsEnv } from '../workloads';
import { Expr, Module, Program } from './code';

// Runs the generated app in-process with the library itself: the same statements the TypeScript file holds, so adopt
// can synthesize, check and diff exactly what the user gets.

/**
 * What the generated file may import from the package root, by the name it is exported under there (a test checks each
 * one is that very export of lib/index.ts). Taken from the modules themselves: adopt stays out of the root's imports.
 */
export const LIBRARY: Record<string, unknown> = {
  AcmeDirectory, AcmeIssuer, AcmeServer, AcmeSolver, AppProtocol, CaIssuer, EdgeKind, ExternalIssuer, FrameOptions, GatewayImplementation, InternalCa,
  KeyAlgorithm, LetsEncryptIssuer, LetsEncryptProfile, NginxControllerSettings, NginxIngressEdge, ProbeKind, Route53Credentials, SelfSignedIssuer,
  TlsEnv, TlsProfile, TlsStackChart,
};

const MODULES: Record<Module, Record<string, unknown>> = { 'cdk8s': cdk8sModule as unknown as Record<string, unknown>, 'cdk8s-secure-tls': LIBRARY };

/** Adds what the program builds to `app`; returns its variables (the charts and issuers, by name). */
export function evaluate(program: Program, app: App): Map<string, unknown> {
  const vars = new Map<string, unknown>([['app', app]]);
  for (const s of program.body) {
    const value = evalExpr(s.value, vars);
    if (s.bind) vars.set(s.bind, value);
  }
  return vars;
}

function evalExpr(e: Expr, vars: Map<string, unknown>): unknown {
  switch (e.k) {
    case 'lit': return e.v;
    case 'arr': return e.items.map((x) => evalExpr(x, vars));
    case 'obj': return Object.fromEntries(e.props.map((p) => [p.key, evalExpr(p.value, vars)]));
    case 'sym': {
      const exported = MODULES[e.module][e.name] as Record<string, unknown> | undefined;
      if (exported === undefined) throw new Error(`adopt: ${e.module} has no export ${e.name} (a bug in adopt)`);
      return e.member ? exported[e.member] : exported;
    }
    case 'var': {
      if (!vars.has(e.name)) throw new Error(`adopt: variable ${e.name} is used before it is set (a bug in adopt)`);
      return vars.get(e.name);
    }
    case 'get': return (evalExpr(e.target, vars) as Record<string, unknown>)[e.name];
    case 'new': {
      const Cls = evalExpr(e.cls, vars) as new (...args: unknown[]) => unknown;
      return new Cls(...e.args.map((a) => evalExpr(a, vars)));
    }
    case 'call': {
      const target = evalExpr(e.target, vars) as Record<string, (...args: unknown[]) => unknown>;
      return target[e.method](...e.args.map((a) => evalExpr(a, vars)));
    }
  }
}
