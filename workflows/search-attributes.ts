import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes sluice sets on its workflows, so the Web UI and
 * `temporal workflow list --query` can find runs by what they are about. They are registered when
 * the dev server starts and checked (added if missing) when sluice connects to any cluster.
 */
export const SLUICE_KIND = defineSearchAttributeKey('SluiceKind', SearchAttributeType.KEYWORD);
export const SLUICE_SOURCE = defineSearchAttributeKey('SluiceSource', SearchAttributeType.KEYWORD);
export const SLUICE_MODEL = defineSearchAttributeKey('SluiceModel', SearchAttributeType.KEYWORD);
export const SLUICE_HOSTS = defineSearchAttributeKey('SluiceHosts', SearchAttributeType.KEYWORD_LIST);

export const SLUICE_SEARCH_ATTRIBUTES = [SLUICE_KIND, SLUICE_SOURCE, SLUICE_MODEL, SLUICE_HOSTS] as const;
