def add_item(inventory, name, qty):
    new = dict(inventory)
    new[name] = new.get(name, 0) + qty
    return new

def remove_item(inventory, name, qty):
    new = dict(inventory)
    have = new.get(name, 0)
    if qty > have or name not in new:
        raise ValueError(f"only {have} of {name}")
    new[name] = have - qty
    if new[name] == 0:
        del new[name]
    return new

def total(inventory):
    return sum(inventory.values())
