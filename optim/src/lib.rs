//! Optimizers for objectives built from `#[differentiable]` functions.
//!
//! This crate is a placeholder: the optimizers (SGD, Adam, L-BFGS, Newton-CG, ...) arrive with
//! their own issue. It is already `#![no_std]` so that the facade's feature wiring
//! (`std`, `alloc`, `optim`) is in place and tested from the start.
#![no_std]
