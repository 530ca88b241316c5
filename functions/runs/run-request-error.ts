// A request for a DAG run that cannot be honoured as given (the REST API answers 400 with it).
export class DagRunRequestError extends Error {
  override name = "DagRunRequestError";
}
