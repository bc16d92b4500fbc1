import { Testing } from 'cdk8s';
import { NamespacedChart } from '../../lib';
import { expectStackError, only, synthValid } from '../support';

describe('NamespacedChart', () => {
  test('emits its namespace, cluster-scoped and labelled for PSS restricted', () => {
    const chart = new NamespacedChart(Testing.app(), 'c', { namespace: 'chat' });
    const ns = only(synthValid(chart), 'Namespace', 'chat');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
    });
  });
  test('createNamespace: false emits nothing for an existing namespace', () => {
    expect(Testing.synth(new NamespacedChart(Testing.app(), 'c', { namespace: 'chat', createNamespace: false }))).toEqual([]);
  });
  test('bad namespace name', () => {
    expectStackError(() => new NamespacedChart(Testing.app(), 'c', { namespace: 'Chat' }), 'namespace', 'RFC 1123');
  });
});
