use autodiff::differentiable;

#[differentiable(wrt(x))]
fn f(x: f64, p: *const f64) -> f64 {
    let c = unsafe { *p };
    x * c
}

fn main() {}
