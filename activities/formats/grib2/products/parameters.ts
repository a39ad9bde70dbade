/** A parameter as NCEP's inventories (and wgrib2) name it. */
export interface Parameter {
  readonly discipline: number;
  readonly category: number;
  readonly number: number;
  /** NCEP's abbreviation (TMP, UGRD…), or var{discipline}_{category}_{number} when unknown. */
  readonly shortName: string;
  readonly name: string | undefined;
  readonly units: string | undefined;
}

/** Originating centre code (common code table C-11) whose local entries (192–254) are below. */
export const NCEP_CENTRE = 7;

/**
 * WMO code table 4.2 for the parameters NOAA's GFS, HRRR, NAM and RAP files carry, keyed
 * "discipline.category.number", with NCEP's local entries (category or number ≥ 192) marked:
 * those numbers mean something else, or nothing, at other centres.
 */
const TABLE: readonly (readonly [key: string, shortName: string, name: string, units: string, ncepLocal?: true])[] = [
  // Discipline 0, meteorological. Category 0: temperature.
  ['0.0.0', 'TMP', 'Temperature', 'K'],
  ['0.0.1', 'VTMP', 'Virtual temperature', 'K'],
  ['0.0.2', 'POT', 'Potential temperature', 'K'],
  ['0.0.3', 'EPOT', 'Pseudo-adiabatic potential temperature', 'K'],
  ['0.0.4', 'TMAX', 'Maximum temperature', 'K'],
  ['0.0.5', 'TMIN', 'Minimum temperature', 'K'],
  ['0.0.6', 'DPT', 'Dew point temperature', 'K'],
  ['0.0.7', 'DEPR', 'Dew point depression', 'K'],
  ['0.0.8', 'LAPR', 'Lapse rate', 'K/m'],
  ['0.0.10', 'LHTFL', 'Latent heat net flux', 'W/m^2'],
  ['0.0.11', 'SHTFL', 'Sensible heat net flux', 'W/m^2'],
  ['0.0.17', 'SKINT', 'Skin temperature', 'K'],
  ['0.0.21', 'APTMP', 'Apparent temperature', 'K'],
  // Category 1: moisture.
  ['0.1.0', 'SPFH', 'Specific humidity', 'kg/kg'],
  ['0.1.1', 'RH', 'Relative humidity', '%'],
  ['0.1.2', 'MIXR', 'Humidity mixing ratio', 'kg/kg'],
  ['0.1.3', 'PWAT', 'Precipitable water', 'kg/m^2'],
  ['0.1.7', 'PRATE', 'Precipitation rate', 'kg/m^2/s'],
  ['0.1.8', 'APCP', 'Total precipitation', 'kg/m^2'],
  ['0.1.9', 'NCPCP', 'Large-scale precipitation (non-convective)', 'kg/m^2'],
  ['0.1.10', 'ACPCP', 'Convective precipitation', 'kg/m^2'],
  ['0.1.11', 'SNOD', 'Snow depth', 'm'],
  ['0.1.13', 'WEASD', 'Water equivalent of accumulated snow depth', 'kg/m^2'],
  ['0.1.22', 'CLMR', 'Cloud mixing ratio', 'kg/kg'],
  ['0.1.29', 'ASNOW', 'Total snowfall', 'm'],
  ['0.1.192', 'CRAIN', 'Categorical rain', '0 or 1', true],
  ['0.1.193', 'CFRZR', 'Categorical freezing rain', '0 or 1', true],
  ['0.1.194', 'CICEP', 'Categorical ice pellets', '0 or 1', true],
  ['0.1.195', 'CSNOW', 'Categorical snow', '0 or 1', true],
  ['0.1.196', 'CPRAT', 'Convective precipitation rate', 'kg/m^2/s', true],
  // Category 2: momentum.
  ['0.2.0', 'WDIR', 'Wind direction (from which blowing)', 'deg'],
  ['0.2.1', 'WIND', 'Wind speed', 'm/s'],
  ['0.2.2', 'UGRD', 'U-component of wind', 'm/s'],
  ['0.2.3', 'VGRD', 'V-component of wind', 'm/s'],
  ['0.2.8', 'VVEL', 'Vertical velocity (pressure)', 'Pa/s'],
  ['0.2.9', 'DZDT', 'Vertical velocity (geometric)', 'm/s'],
  ['0.2.10', 'ABSV', 'Absolute vorticity', '1/s'],
  ['0.2.22', 'GUST', 'Wind speed (gust)', 'm/s'],
  // Category 3: mass.
  ['0.3.0', 'PRES', 'Pressure', 'Pa'],
  ['0.3.1', 'PRMSL', 'Pressure reduced to MSL', 'Pa'],
  ['0.3.5', 'HGT', 'Geopotential height', 'gpm'],
  ['0.3.18', 'HPBL', 'Planetary boundary layer height', 'm'],
  ['0.3.192', 'MSLET', 'MSLP (Eta model reduction)', 'Pa', true],
  ['0.3.196', 'HPBL', 'Planetary boundary layer height', 'm', true],
  // Categories 4 and 5: short-wave and long-wave radiation.
  ['0.4.7', 'DSWRF', 'Downward short-wave radiation flux', 'W/m^2'],
  ['0.4.8', 'USWRF', 'Upward short-wave radiation flux', 'W/m^2'],
  ['0.4.192', 'DSWRF', 'Downward short-wave radiation flux', 'W/m^2', true],
  ['0.4.193', 'USWRF', 'Upward short-wave radiation flux', 'W/m^2', true],
  ['0.5.3', 'DLWRF', 'Downward long-wave radiation flux', 'W/m^2'],
  ['0.5.4', 'ULWRF', 'Upward long-wave radiation flux', 'W/m^2'],
  ['0.5.192', 'DLWRF', 'Downward long-wave radiation flux', 'W/m^2', true],
  ['0.5.193', 'ULWRF', 'Upward long-wave radiation flux', 'W/m^2', true],
  // Category 6: cloud.
  ['0.6.1', 'TCDC', 'Total cloud cover', '%'],
  ['0.6.3', 'LCDC', 'Low cloud cover', '%'],
  ['0.6.4', 'MCDC', 'Medium cloud cover', '%'],
  ['0.6.5', 'HCDC', 'High cloud cover', '%'],
  // Category 7: thermodynamic stability indices.
  ['0.7.6', 'CAPE', 'Convective available potential energy', 'J/kg'],
  ['0.7.7', 'CIN', 'Convective inhibition', 'J/kg'],
  ['0.7.8', 'HLCY', 'Storm relative helicity', 'm^2/s^2'],
  ['0.7.192', 'LFTX', 'Surface lifted index', 'K', true],
  ['0.7.193', '4LFTX', 'Best (4 layer) lifted index', 'K', true],
  // Category 14: trace gases.
  ['0.14.0', 'TOZNE', 'Total ozone', 'DU'],
  ['0.14.192', 'O3MR', 'Ozone mixing ratio', 'kg/kg', true],
  // Category 16: forecast radar imagery.
  ['0.16.195', 'REFD', 'Reflectivity', 'dB', true],
  ['0.16.196', 'REFC', 'Composite reflectivity', 'dB', true],
  // Category 19: physical atmospheric properties.
  ['0.19.0', 'VIS', 'Visibility', 'm'],
  ['0.19.1', 'ALBDO', 'Albedo', '%'],
  // Discipline 2, land surface.
  ['2.0.0', 'LAND', 'Land cover (1 = land, 0 = sea)', 'proportion'],
  ['2.0.1', 'SFCR', 'Surface roughness', 'm'],
  ['2.0.192', 'SOILW', 'Volumetric soil moisture content', 'fraction', true],
  // Discipline 10, oceanographic.
  ['10.0.3', 'HTSGW', 'Significant height of combined wind waves and swell', 'm'],
  ['10.2.0', 'ICEC', 'Ice cover', 'proportion'],
  ['10.3.0', 'WTMP', 'Water temperature', 'K'],
];

const BY_KEY = new Map(TABLE.map(([key, shortName, name, units, ncepLocal]) => [key, { shortName, name, units, ncepLocal: ncepLocal === true }]));

/** Names a parameter; local entries only count when the file comes from NCEP. */
export function parameterOf(discipline: number, category: number, number: number, centre: number): Parameter {
  const entry = BY_KEY.get(`${discipline}.${category}.${number}`);
  if (entry && (!entry.ncepLocal || centre === NCEP_CENTRE)) return { discipline, category, number, shortName: entry.shortName, name: entry.name, units: entry.units };
  return { discipline, category, number, shortName: `var${discipline}_${category}_${number}`, name: undefined, units: undefined };
}
