/* The Pod Security Standards' "restricted" profile (kubernetes.io/docs/concepts/security/pod-security-standards),
   as the checks that apply to a Deployment's pod template. */

interface SecurityContextLike {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
}

interface ContainerLike {
  name: string;
  securityContext?: SecurityContextLike;
  ports?: { hostPort?: number }[];
}

/** The parts of a pod spec the restricted profile looks at. */
export interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContextLike & { sysctls?: unknown[] };
  containers: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: Record<string, unknown>[];
}

const ALLOWED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const ALLOWED_PROFILES = new Set(['RuntimeDefault', 'Localhost']);

/** Every way `pod` breaks the restricted profile; [] when it complies. */
export function restrictedViolations(pod: PodSpecLike): string[] {
  const out: string[] = [];
  const podCtx = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces are shared');
  if (podCtx.sysctls?.length) out.push('pod sets sysctls');
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUME_TYPES.has(type)) out.push(`volume ${String(v.name)}: ${type}`);
  }
  if (podCtx.runAsUser === 0) out.push('pod runs as uid 0');
  if (podCtx.appArmorProfile && !ALLOWED_PROFILES.has(podCtx.appArmorProfile.type ?? '')) {
    out.push(`pod AppArmor profile ${podCtx.appArmorProfile.type}`);
  }
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const ctx = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (ctx.privileged) out.push(`${where} is privileged`);
    if (ctx.allowPrivilegeEscalation !== false) {
      out.push(`${where} does not set allowPrivilegeEscalation: false`);
    }
    if (!(ctx.capabilities?.drop ?? []).includes('ALL')) out.push(`${where} does not drop ALL`);
    const added = (ctx.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length) out.push(`${where} adds ${added.join(', ')}`);
    if ((ctx.runAsNonRoot ?? podCtx.runAsNonRoot) !== true) out.push(`${where} may run as root`);
    if (ctx.runAsUser === 0) out.push(`${where} runs as uid 0`);
    const seccomp = ctx.seccompProfile?.type ?? podCtx.seccompProfile?.type;
    if (!seccomp || !ALLOWED_PROFILES.has(seccomp)) out.push(`${where} seccomp ${seccomp}`);
    if (ctx.appArmorProfile && !ALLOWED_PROFILES.has(ctx.appArmorProfile.type ?? '')) {
      out.push(`${where} AppArmor profile ${ctx.appArmorProfile.type}`);
    }
    if (ctx.procMount && ctx.procMount !== 'Default')
      out.push(`${where} procMount ${ctx.procMount}`);
    if ((c.ports ?? []).some((p) => p.hostPort)) out.push(`${where} uses a hostPort`);
  }
  return out;
}
