using VoxScheduler.Language;
using VoxScheduler.Operations;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Hosting;

/// <summary>The specification's VoxLogicaIntegration: program → DAG → submit → wait (or return the execution).</summary>
public sealed class VoxLogicaIntegration
{
    public VoxLogicaIntegration(DynamicScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        Scheduler = scheduler;
    }

    public DynamicScheduler Scheduler { get; }

    /// <summary>Compiles and submits; returns at once. With <see cref="CompileOptions.FilePath"/> set and
    /// <paramref name="program"/> null or empty, the file is read.</summary>
    /// <exception cref="ValidationException">The program is invalid.</exception>
    public ValueTask<IExecution> SubmitProgramAsync(string program, CompileOptions? compileOptions = null, ExecutionConfig? config = null,
        SubmitOptions? options = null, CancellationToken cancellationToken = default)
    {
        compileOptions ??= new CompileOptions();
        var compiled = string.IsNullOrEmpty(program) && compileOptions.FilePath is { } file
            ? ProgramCompiler.CompileFile(file, Scheduler.Operations, compileOptions, cancellationToken)
            : ProgramCompiler.Compile(program ?? string.Empty, Scheduler.Operations, compileOptions, cancellationToken);
        options ??= new SubmitOptions();
        options = options with
        {
            Source = options.Source ?? compileOptions.FilePath ?? "program text",
            Environment = options.Environment ?? new OperationEnvironment
            {
                WorkingDirectory = compileOptions.WorkingDirectory,
                OutputRoot = compileOptions.OutputRoot,
                AllowWritesOutsideOutputRoot = compileOptions.AllowWritesOutsideOutputRoot,
            },
        };
        return Scheduler.SubmitAsync(compiled.Dag, config, options, cancellationToken);
    }

    /// <summary>Compiles, submits and waits for the end.</summary>
    /// <exception cref="ValidationException">The program is invalid.</exception>
    public async Task<ProgramRunResult> ExecuteProgramAsync(string program, CompileOptions? compileOptions = null, ExecutionConfig? config = null,
        SubmitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var execution = await SubmitProgramAsync(program, compileOptions, config, options, cancellationToken).ConfigureAwait(false);
        ExecutionStatus status;
        try
        {
            status = await execution.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            execution.Cancel();
            throw;
        }

        return new ProgramRunResult(execution.ExecutionId, status, execution.GetGoalResults(), execution.GetProgress());
    }
}
