using VoxScheduler.Operations;

namespace VoxScheduler.Language;

/// <summary>Parses and reduces VoxLogicA programs (LANGUAGE.md) to DAGs.</summary>
public static class ProgramCompiler
{
    /// <summary>Reduces program text.</summary>
    /// <exception cref="ValidationException">Syntax or reduction errors, all of them, each with file:line:col.</exception>
    public static CompiledProgram Compile(string source, OperationRegistry operations, CompileOptions? options = null)
        => throw new NotImplementedException("language: filled in by the language work");

    /// <summary>Reads and reduces a program file.</summary>
    /// <exception cref="ValidationException">Unreadable file, syntax or reduction errors.</exception>
    public static CompiledProgram CompileFile(string path, OperationRegistry operations, CompileOptions? options = null)
        => throw new NotImplementedException("language: filled in by the language work");
}
