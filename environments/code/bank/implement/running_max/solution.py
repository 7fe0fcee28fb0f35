def running_max(nums):
    out = []
    for x in nums:
        out.append(x if not out or x > out[-1] else out[-1])
    return out
