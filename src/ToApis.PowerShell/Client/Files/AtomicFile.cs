using System;
using System.IO;

namespace ToApis.Client.Files;

/// <summary>
/// Small files written whole or not at all: the content goes to a partial file beside the target, which then
/// replaces it, so a reader (a browser, a script) never sees half a file and a failed write leaves the old one.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string target, Action<Stream> write)
    {
        var partial = target + ".toapis-partial";
        try
        {
            using (var stream = File.Create(partial))
            {
                write(stream);
            }

            if (File.Exists(target))
            {
                File.Replace(partial, target, null);
            }
            else
            {
                File.Move(partial, target);
            }
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }
}
