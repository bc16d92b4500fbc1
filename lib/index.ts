export * from './policy/validation';
export * from './chart';
export * from './issuers';
export * from './certificates';
export * from './workloads';
