namespace VoxScheduler.Language.Reduction;

/// <summary>Where an expression is reduced: local bindings, the file scope and the serial it sees, and the call chain.</summary>
internal readonly record struct Env(LocalScope? Locals, FileScope File, int Serial, CallFrame? Calls);
