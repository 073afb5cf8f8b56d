using System;
using System.Threading;
using ToApis.Client;
using ToApis.Commands;

namespace ToApis.Pipeline;

/// <summary>
/// The command's streams, seen from the core. Whatever keeps it after the command ended (the account's pacer
/// reports pace changes to the last command that used it) keeps only this shell: detached, it writes nowhere
/// and no longer holds the command, its pipeline and what they gathered.
/// </summary>
internal sealed class MailboxRequestLog : IRequestLog
{
    private ToApisCmdletBase? _cmdlet;

    public MailboxRequestLog(ToApisCmdletBase cmdlet, bool debugEnabled)
    {
        _cmdlet = cmdlet;
        IsDebugEnabled = debugEnabled;
    }

    public bool IsDebugEnabled { get; }

    public void Verbose(string message) => Post(cmdlet => cmdlet.WriteVerbose(message));

    public void Warning(string message) => Post(cmdlet => cmdlet.WriteWarning(message));

    public void Debug(string message)
    {
        if (IsDebugEnabled)
        {
            Post(cmdlet => cmdlet.WriteDebug(message));
        }
    }

    public void Detach() => Volatile.Write(ref _cmdlet, null);

    private void Post(Action<ToApisCmdletBase> write)
    {
        if (Volatile.Read(ref _cmdlet) is { } cmdlet)
        {
            cmdlet.Mailbox.Post(() => write(cmdlet));
        }
    }
}
