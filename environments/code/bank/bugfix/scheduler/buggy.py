def schedule(tasks):
    order = sorted(tasks, key=lambda t: (t[1], t[0]))
    out, clock = [], 0
    for name, _, duration in order:
        out.append((name, clock, clock + duration))
        clock = duration
    return out

def makespan(tasks):
    plan = schedule(tasks)
    return plan[-1][2] if plan else 0
