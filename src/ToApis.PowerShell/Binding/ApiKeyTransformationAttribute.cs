using System;
using System.Management.Automation;
using System.Security;

namespace ToApis.Binding;

/// <summary>
/// On -ApiKey: a SecureString as is, a PSCredential's password (the user name is ignored), or plain text,
/// copied into a SecureString at once so the cmdlet never holds the key as a string longer than binding does.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ApiKeyTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) switch
        {
            PSCredential credential => credential.Password,
            string text => ToSecureString(text),
            var other => other,
        };

    internal static SecureString ToSecureString(string text)
    {
        var secure = new SecureString();
        foreach (var character in text)
        {
            secure.AppendChar(character);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
