def max_index(nums):
    best = -1
    for i, x in enumerate(nums):
        if best == -1 or x > nums[best]:
            best = i
    return best
