// Two tiny layers for the scanner's own test: Low refers to High only by a fully qualified name
// inside a method body (no using, no signature), the reference a source scan of usings misses.
namespace VoxScheduler.Tests.Architecture.Fixture
{
    internal static class Root
    {
        public const string Name = "VoxScheduler.Tests.Architecture.Fixture";
    }
}

namespace VoxScheduler.Tests.Architecture.Fixture.High
{
    internal sealed class Upper
    {
        public int Value => 42;
    }
}

namespace VoxScheduler.Tests.Architecture.Fixture.Low
{
    internal static class Lower
    {
        public static int Call() => new VoxScheduler.Tests.Architecture.Fixture.High.Upper().Value;
    }
}
