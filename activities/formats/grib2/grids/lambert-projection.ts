import type { EarthShape } from './earth-shape';

/** Projected coordinates in metres on the cone's plane. */
export interface ProjectedPoint {
  readonly x: number;
  readonly y: number;
}

export interface LambertConformalDefinition {
  readonly earth: EarthShape;
  /** The two standard parallels (equal for a tangent cone, as in HRRR). */
  readonly latin1: number;
  readonly latin2: number;
  /** Latitude of the origin of y; GRIB2 calls it LaD. */
  readonly originLatitude: number;
  /** Central meridian, where the cone's x axis is; GRIB2 calls it LoV. */
  readonly centralMeridian: number;
}

const DEG = Math.PI / 180;
const MAX_LATITUDE_ITERATIONS = 15;

/**
 * The Lambert conformal conic projection, on a sphere or an oblate spheroid, following Snyder,
 * "Map Projections: A Working Manual" (USGS 1987), equations 15-1 to 15-11 for the sphere and
 * their ellipsoidal forms. One code path serves both: a sphere is a spheroid of eccentricity 0,
 * where t(φ) reduces to tan(π/4 − φ/2).
 */
export class LambertConformalProjection {
  private readonly a: number;
  private readonly e: number;
  /** The cone constant. */
  private readonly n: number;
  /** a·F: scales t(φ)^n to the radius ρ on the plane. */
  private readonly aF: number;
  private readonly rho0: number;
  private readonly lambda0: number;

  constructor(definition: LambertConformalDefinition) {
    const { earth } = definition;
    this.a = earth.kind === 'sphere' ? earth.radius : earth.semiMajorAxis;
    this.e = earth.kind === 'sphere' ? 0 : Math.sqrt(1 - (earth.semiMinorAxis / earth.semiMajorAxis) ** 2);
    const phi1 = definition.latin1 * DEG;
    const phi2 = definition.latin2 * DEG;
    const m1 = this.m(phi1);
    const t1 = this.t(phi1);
    // A tangent cone (one standard parallel) has n = sin φ1, the limit of the secant formula.
    this.n = Math.abs(phi1 - phi2) < 1e-12 ? Math.sin(phi1) : (Math.log(m1) - Math.log(this.m(phi2))) / (Math.log(t1) - Math.log(this.t(phi2)));
    this.aF = (this.a * m1) / (this.n * t1 ** this.n);
    this.rho0 = this.rho(definition.originLatitude * DEG);
    this.lambda0 = definition.centralMeridian * DEG;
  }

  forward(lat: number, lon: number): ProjectedPoint {
    const rho = this.rho(lat * DEG);
    const theta = this.n * wrapRadians(lon * DEG - this.lambda0);
    return { x: rho * Math.sin(theta), y: this.rho0 - rho * Math.cos(theta) };
  }

  /** Longitude comes back unwrapped around the central meridian (within ±180° of it). */
  inverse(x: number, y: number): { lat: number; lon: number } {
    const sign = Math.sign(this.n);
    const dy = this.rho0 - y;
    const rho = sign * Math.hypot(x, dy);
    const theta = Math.atan2(sign * x, sign * dy);
    const lon = (theta / this.n + this.lambda0) / DEG;
    const t = (rho / this.aF) ** (1 / this.n);
    return { lat: this.latitudeOf(t) / DEG, lon };
  }

  /** Snyder 14-15: m = cos φ / √(1 − e² sin² φ). */
  private m(phi: number): number {
    const es = this.e * Math.sin(phi);
    return Math.cos(phi) / Math.sqrt(1 - es * es);
  }

  /** Snyder 15-9: t = tan(π/4 − φ/2) / ((1 − e sin φ)/(1 + e sin φ))^(e/2). */
  private t(phi: number): number {
    const es = this.e * Math.sin(phi);
    return Math.tan(Math.PI / 4 - phi / 2) / ((1 - es) / (1 + es)) ** (this.e / 2);
  }

  private rho(phi: number): number {
    return this.aF * this.t(phi) ** this.n;
  }

  /** Snyder 7-9, iterated to convergence; exact in one step for a sphere. */
  private latitudeOf(t: number): number {
    let phi = Math.PI / 2 - 2 * Math.atan(t);
    if (this.e === 0) return phi;
    for (let i = 0; i < MAX_LATITUDE_ITERATIONS; i++) {
      const es = this.e * Math.sin(phi);
      const next = Math.PI / 2 - 2 * Math.atan(t * ((1 - es) / (1 + es)) ** (this.e / 2));
      if (Math.abs(next - phi) < 1e-14) return next;
      phi = next;
    }
    return phi;
  }
}

/** Into [−π, π], so points just west of the central meridian do not land a turn away. */
function wrapRadians(angle: number): number {
  return angle - 2 * Math.PI * Math.round(angle / (2 * Math.PI));
}
