using VoxScheduler.Scheduling;

namespace VoxScheduler.Language;

/// <summary>The specification's VoxLogicaIntegration: program → DAG → submit → wait (or return the execution).</summary>
public sealed class VoxLogicaIntegration
{
    public VoxLogicaIntegration(DynamicScheduler scheduler) => Scheduler = scheduler;

    public DynamicScheduler Scheduler { get; }

    /// <summary>Compiles and submits; returns at once.</summary>
    /// <exception cref="ValidationException">The program is invalid.</exception>
    public ValueTask<IExecution> SubmitProgramAsync(string program, CompileOptions? compileOptions = null, ExecutionConfig? config = null,
        SubmitOptions? options = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Compiles, submits and waits for the end.</summary>
    /// <exception cref="ValidationException">The program is invalid.</exception>
    public Task<ProgramRunResult> ExecuteProgramAsync(string program, CompileOptions? compileOptions = null, ExecutionConfig? config = null,
        SubmitOptions? options = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
