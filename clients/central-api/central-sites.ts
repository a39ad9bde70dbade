/** A site the central API reads from: central.sites in config. */
export interface CentralSite {
  readonly id: string;
  /** Base url of the site's event API, e.g. http://site-a:18000 (a path prefix is kept). */
  readonly url: string;
}

/**
 * Problems with the list of sites that the config schema cannot see: the same id twice would merge
 * two sites' numbers under one name, the same url twice would count one site's numbers twice.
 */
export function siteListProblems(sites: readonly CentralSite[]): string[] {
  const problems: string[] = [];
  const seen = (key: (site: CentralSite) => string, what: string) => {
    const first = new Map<string, number>();
    sites.forEach((site, index) => {
      const value = key(site);
      const earlier = first.get(value);
      if (earlier === undefined) first.set(value, index);
      else problems.push(`central.sites[${index}] has the same ${what} as central.sites[${earlier}] (${value}); each site must be listed once`);
    });
  };
  seen((site) => site.id, 'id');
  seen((site) => normalUrl(site.url), 'url');
  return problems;
}

function normalUrl(url: string): string {
  try {
    return new URL(url).toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}
