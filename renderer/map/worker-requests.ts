// Requests to a tile worker answered by id: each request's promise resolves with the data of the reply that
// carries its id (the coverage and settlement tile protocols both ask their worker this way).
export class WorkerRequests<Request, Data> {
  private nextId = 1;
  private readonly pending = new Map<number, (data: Data) => void>();

  constructor(readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<{ id: number; data: Data }>) => {
      this.pending.get(e.data.id)?.(e.data.data);
      this.pending.delete(e.data.id);
    };
  }

  /** Posts the message `make` builds around a new id; resolves with the reply's data as maplibre wants it. */
  request(make: (id: number) => Request): Promise<{ data: Data }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, (data) => resolve({ data }));
      this.worker.postMessage(make(id));
    });
  }
}
