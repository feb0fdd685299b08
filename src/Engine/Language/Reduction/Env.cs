namespace VoxScheduler.Language.Reduction;

/// <summary>Where an expression is reduced: local bindings, and the file scope and the serial it sees, the base image in scope (IMAGES.md §3; null: the file's top-level one) (the call chain is the reducer's stack).</summary>
internal readonly record struct Env(LocalScope? Locals, FileScope File, int Serial, BaseScope? Base = null);
