// Statistics behind the panel, the CLI and the report. Every function is pure; see docs/statistics.md.
export { pearson, spearman, pearsonR, averageRanks, completePairs } from './correlation';
export { jensenShannon, ordinalWasserstein } from './distance';
export { isProCode, proShare } from './share';
export { meanPairwiseSpearman, itemDispersion, type ParaphraseScores, type ItemDispersion } from './consistency';
export { usBias, type BiasEstimate } from './bias';
export { fitRandomIntercept, brentMinimize, type RandomInterceptInput, type RandomInterceptFit } from './lmm';
export { mulberry32, bootstrapPercentileCI, quantileSorted } from './random';
export { studentTCdf, twoSidedTP, normalQuantile } from './distributions';
export { analyze, analysisItemsFromSurvey, alignmentAcrossCountries, orderKind, type AnalysisItem, type AnalyzeInput, type AcrossCountriesRow } from './analyze';
