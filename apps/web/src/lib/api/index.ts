export { ApiError, NetworkError, setApiBase, getApiBase } from './http';
export * from './session';
export { api } from './endpoints';
