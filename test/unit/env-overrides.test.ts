import { envOverrides, setPath } from '../../infra/config/env-overrides';

describe('environment overrides', () => {
  it('maps SLUICE_ names to camel-case config paths and reads scalars', () => {
    const overrides = envOverrides({ SLUICE_STORAGE__S3__FORCE_PATH_STYLE: 'false', SLUICE_POSTGRES__POOL_SIZE: '7', SLUICE_TEMPORAL__ADDRESS: 'h:7233' });
    expect(overrides).toEqual(
      expect.arrayContaining([
        { variable: 'SLUICE_STORAGE__S3__FORCE_PATH_STYLE', path: ['storage', 's3', 'forcePathStyle'], value: false },
        { variable: 'SLUICE_POSTGRES__POOL_SIZE', path: ['postgres', 'poolSize'], value: 7 },
        { variable: 'SLUICE_TEMPORAL__ADDRESS', path: ['temporal', 'address'], value: 'h:7233' },
      ]),
    );
  });

  it('ignores unrelated and empty variables and SLUICE_CONFIG', () => {
    expect(envOverrides({ HOME: '/root', SLUICE_CONFIG: 'x.yaml', SLUICE_STATE_DIR: '', PATH: '/bin' })).toEqual([]);
  });

  it('keeps strings that only look structured as strings', () => {
    const [override] = envOverrides({ DATABASE_URL: 'postgres://a:b@c/d?x=[1]' });
    expect(override?.value).toBe('postgres://a:b@c/d?x=[1]');
    const [list] = envOverrides({ SLUICE_STATE_DIR: '[a, b]' });
    expect(list?.value).toBe('[a, b]');
  });

  it('sets nested paths, replacing scalars in the way', () => {
    const target: Record<string, unknown> = { storage: 'oops' };
    setPath(target, ['storage', 's3', 'bucket'], 'b');
    expect(target).toEqual({ storage: { s3: { bucket: 'b' } } });
  });

  it('does not reach the object prototype', () => {
    const target: Record<string, unknown> = {};
    for (const override of envOverrides({ SLUICE___PROTO____POLLUTED: 'yes', SLUICE_CONSTRUCTOR__PROTOTYPE__POLLUTED: 'yes' })) {
      setPath(target, override.path, override.value);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
