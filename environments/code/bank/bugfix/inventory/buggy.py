def add_item(inventory, name, qty):
    new = dict(inventory)
    new[name] = new.get(name, 0) + qty
    return new

def remove_item(inventory, name, qty):
    new = inventory
    have = new.get(name, 0)
    if qty > have:
        raise ValueError(f"only {have} of {name}")
    new[name] = have - qty
    return new

def total(inventory):
    return sum(inventory.values())
