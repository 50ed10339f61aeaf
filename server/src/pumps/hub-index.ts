/**
 * Pumps by hub, so a hub's status (a heartbeat every 15 s from every hub) touches that hub's pumps only:
 * it used to check liveness of every pump, O(hubs × pumps) per heartbeat period (docs/benchmarks.md).
 */
export class HubIndex {
  private readonly pumpsOfHub = new Map<string, Set<string>>();
  private readonly hubOfPump = new Map<string, string>();

  /** Files `pumpId` under `hubId`, taking it out of the hub it was under. */
  bind(pumpId: string, hubId: string): void {
    const known = this.hubOfPump.get(pumpId);
    if (known === hubId) return;
    if (known !== undefined) this.pumpsOfHub.get(known)?.delete(pumpId);
    this.hubOfPump.set(pumpId, hubId);
    let pumps = this.pumpsOfHub.get(hubId);
    if (!pumps) {
      pumps = new Set();
      this.pumpsOfHub.set(hubId, pumps);
    }
    pumps.add(pumpId);
  }

  pumpsOf(hubId: string): Iterable<string> {
    return this.pumpsOfHub.get(hubId) ?? [];
  }
}
