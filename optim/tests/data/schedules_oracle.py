"""Expected learning rates for optim/tests/schedules.rs, from torch's formulas with plain floats.

The classes below transcribe what `scheduler.step()` does in torch 2.x
(`torch/optim/lr_scheduler.py`: the constructor's initial step, the chainable `get_lr`,
`_get_closed_form_lr` where `SequentialLR` calls `_update_lr(0)`), for one parameter group and
without tensors, so no torch install is needed. Run `python3 schedules_oracle.py >
schedules.json` to regenerate; every value is printed with `repr` (round-trips exactly).
"""

import json
import math
from bisect import bisect_right


class Opt:
    def __init__(self, lr):
        self.lr = lr
        self.initial_lr = None


class Sched:
    def __init__(self, opt):
        self.opt = opt
        if opt.initial_lr is None:
            opt.initial_lr = opt.lr
        self.base_lr = opt.initial_lr
        self.last_epoch = -1
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def step(self):
        self._step_count += 1
        self.last_epoch += 1
        self.opt.lr = self.get_lr()

    def _update_lr(self, epoch):
        self.last_epoch = epoch
        closed = getattr(self, "closed_form", None)
        self.opt.lr = closed() if closed else self.get_lr()


class MultiStepLR(Sched):
    def __init__(self, opt, milestones, gamma):
        self.milestones = {}
        for m in milestones:
            self.milestones[m] = self.milestones.get(m, 0) + 1
        self.sorted = sorted(milestones)
        self.gamma = gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self.opt.lr
        return self.opt.lr * self.gamma ** self.milestones[self.last_epoch]


class LinearLR(Sched):
    def __init__(self, opt, start_factor, end_factor, total_iters):
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0:
            return self.opt.lr * self.start_factor
        if self._is_initial or self.last_epoch > self.total_iters:
            return self.opt.lr
        return self.opt.lr * (
            1.0
            + (self.end_factor - self.start_factor)
            / (
                self.total_iters * self.start_factor
                + (self.last_epoch - 1) * (self.end_factor - self.start_factor)
            )
        )

    def closed_form(self):
        return self.base_lr * (
            self.start_factor
            + (self.end_factor - self.start_factor)
            * min(self.total_iters, self.last_epoch)
            / self.total_iters
        )


class ExponentialLR(Sched):
    def __init__(self, opt, gamma):
        self.gamma = gamma
        super().__init__(opt)

    def get_lr(self):
        if self._is_initial:
            return self.opt.lr
        return self.opt.lr * self.gamma

    def closed_form(self):
        return self.base_lr * self.gamma ** self.last_epoch


class PolynomialLR(Sched):
    def __init__(self, opt, total_iters, power):
        self.total_iters, self.power = total_iters, power
        super().__init__(opt)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self.opt.lr
        decay_factor = (
            (1.0 - self.last_epoch / self.total_iters)
            / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return self.opt.lr * decay_factor


class LambdaLR(Sched):
    def __init__(self, opt, lr_lambda):
        self.lr_lambda = lr_lambda
        super().__init__(opt)

    def get_lr(self):
        return self.base_lr * self.lr_lambda(self.last_epoch)


class CosineAnnealingLR(Sched):
    def __init__(self, opt, T_max, eta_min):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(opt)

    def get_lr(self):
        if self._is_initial:
            return self.opt.lr
        elif self._step_count == 1 and self.last_epoch > 0:
            raise AssertionError("not reached in these cases")
        elif (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return self.opt.lr + (self.base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
        return (
            (1 + math.cos(math.pi * self.last_epoch / self.T_max))
            / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
            * (self.opt.lr - self.eta_min)
            + self.eta_min
        )

    def closed_form(self):
        return (
            self.eta_min
            + (self.base_lr - self.eta_min)
            * (1 + math.cos(math.pi * self.last_epoch / self.T_max))
            / 2
        )


class CosineAnnealingWarmRestarts:
    def __init__(self, opt, T_0, T_mult, eta_min):
        self.opt = opt
        opt.initial_lr = opt.lr
        self.base_lr = opt.lr
        self.T_0 = self.T_i = T_0
        self.T_mult, self.eta_min = T_mult, eta_min
        self.T_cur = -1
        self.last_epoch = -1
        self.step()

    def get_lr(self):
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2

    def step(self):
        if self.last_epoch < 0:
            self.T_i, self.T_cur, epoch = self.T_0, 0, 0
        else:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        self.last_epoch = epoch
        self.opt.lr = self.get_lr()


class OneCycleLR:
    def __init__(self, opt, max_lr, total_steps, pct_start=0.3, anneal="cos", div_factor=25.0,
                 final_div_factor=1e4, three_phase=False):
        self.opt, self.total_steps = opt, total_steps
        initial = max_lr / div_factor
        lrs = {"initial_lr": initial, "max_lr": max_lr, "min_lr": initial / final_div_factor}
        if three_phase:
            phases = [
                (float(pct_start * total_steps) - 1, "initial_lr", "max_lr"),
                (float(2 * pct_start * total_steps) - 2, "max_lr", "initial_lr"),
                (total_steps - 1, "initial_lr", "min_lr"),
            ]
        else:
            phases = [
                (float(pct_start * total_steps) - 1, "initial_lr", "max_lr"),
                (total_steps - 1, "max_lr", "min_lr"),
            ]
        self.phases = [(e, lrs[a], lrs[b]) for e, a, b in phases]
        self.anneal = anneal
        self.last_epoch = -1
        self.step()

    def step(self):
        self.last_epoch += 1
        step_num = self.last_epoch
        start_step = 0.0
        for i, (end_step, start, end) in enumerate(self.phases):
            if step_num <= end_step or i == len(self.phases) - 1:
                pct = (step_num - start_step) / (end_step - start_step)
                if self.anneal == "cos":
                    lr = end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
                else:
                    lr = (end - start) * pct + start
                break
            start_step = end_step
        self.opt.lr = lr


class SequentialLR:
    def __init__(self, opt, schedulers, milestones):
        self.schedulers, self.milestones = schedulers, milestones
        self.last_epoch = 0
        self.opt = opt
        opt.lr = opt.initial_lr
        for s in schedulers:
            s.last_epoch -= 1
        first = schedulers[0]
        first._step_count = 0
        first._is_initial = True
        first.step()
        first._is_initial = False

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self.milestones, self.last_epoch)
        s = self.schedulers[idx]
        if idx > 0 and self.milestones[idx - 1] == self.last_epoch:
            s._update_lr(0)
        else:
            s.step()


def run(lr, make, steps):
    opt = Opt(lr)
    sched = make(opt)
    out = [opt.lr]
    for _ in range(steps):
        sched.step()
        out.append(opt.lr)
    return out


CASES = {
    "multistep": run(0.05, lambda o: MultiStepLR(o, [3, 6, 6, 9], 0.1), 12),
    "linear_up": run(0.05, lambda o: LinearLR(o, 0.05, 1.0, 8), 12),
    "linear_down": run(0.1, lambda o: LinearLR(o, 1.0, 0.1, 5), 8),
    "polynomial": run(0.05, lambda o: PolynomialLR(o, 7, 0.9), 10),
    "lambda": run(0.1, lambda o: LambdaLR(o, lambda e: 0.95 ** e), 10),
    "warm_restarts": run(0.1, lambda o: CosineAnnealingWarmRestarts(o, 3, 2, 0.001), 20),
    "warm_restarts_mult1": run(0.1, lambda o: CosineAnnealingWarmRestarts(o, 4, 1, 0.0), 10),
    "one_cycle": run(0.0, lambda o: OneCycleLR(o, 0.1, 20), 20),
    "one_cycle_linear_three_phase": run(
        0.0, lambda o: OneCycleLR(o, 0.1, 20, 0.25, "linear", 10.0, 100.0, True), 20
    ),
    "sequential_linear_cosine": run(
        0.1,
        lambda o: SequentialLR(o, [LinearLR(o, 0.1, 1.0, 5), CosineAnnealingLR(o, 10, 0.001)], [5]),
        20,
    ),
    "sequential_linear_exponential": run(
        0.1,
        lambda o: SequentialLR(o, [LinearLR(o, 0.25, 1.0, 4), ExponentialLR(o, 0.9)], [4]),
        10,
    ),
}

if __name__ == "__main__":
    print(json.dumps(CASES, indent=1))
