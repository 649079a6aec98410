use autodiff::Differentiable;

#[derive(Differentiable)]
enum Model {
    A(f64),
}

fn main() {}
