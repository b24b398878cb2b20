using Xunit.Abstractions;
using Xunit.Sdk;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>Runs a class's tests in the order they are written (metadata order), so the faults run, and the results
/// table reads, as <see cref="FaultTests"/> lists them. Each fault restores what it needs first; the order only
/// keeps the ones that end sessions last.</summary>
public sealed class DeclarationOrder : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method is IReflectionMethodInfo m ? m.MethodInfo.MetadataToken : int.MaxValue);
}
