import heapq

def topo_order(deps):
    items = set(deps)
    for ds in deps.values():
        items.update(ds)
    indegree = {x: 0 for x in items}
    users = {x: [] for x in items}
    for item, ds in deps.items():
        for d in set(ds):
            indegree[item] += 1
            users[d].append(item)
    ready = [x for x in items if indegree[x] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        x = heapq.heappop(ready)
        order.append(x)
        for u in users[x]:
            indegree[u] -= 1
            if indegree[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(items):
        raise ValueError("dependency cycle")
    return order
