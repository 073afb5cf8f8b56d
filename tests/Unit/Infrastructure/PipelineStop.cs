using System.Management.Automation;
using Xunit;

namespace ToApis.Tests.Infrastructure;

public static class PipelineStop
{
    /// <summary>
    /// Stops a running pipeline and asserts that it ended, stopped, within <paramref name="bound"/>.
    /// (PowerShell.Stop() returns only once the pipeline has ended, so IsCompleted after it proves nothing;
    /// a stop that hangs would hang the test instead of failing it.)
    /// </summary>
    public static void StopWithin(this PowerShell shell, TimeSpan bound)
    {
        var stopping = shell.BeginStop(null, null);
        Assert.True(stopping.AsyncWaitHandle.WaitOne(bound), $"the pipeline was still running {bound.TotalSeconds} s after the stop");
        shell.EndStop(stopping);
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }
}
