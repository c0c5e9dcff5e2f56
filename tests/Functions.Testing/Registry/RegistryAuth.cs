namespace Functions.Testing.Registry;

/// <summary>How a test registry asks for logins: not at all, Basic against an htpasswd file, or the token flow.</summary>
public abstract record RegistryAuth
{
    private RegistryAuth()
    {
    }

    public static RegistryAuth None { get; } = new Anonymous();

    /// <summary>Basic authentication against a bcrypt htpasswd file (made with <c>htpasswd -B</c>).</summary>
    public static RegistryAuth Htpasswd(string username, string password) => new HtpasswdLogin(username, password);

    /// <summary>The distribution token flow: a Bearer challenge naming a token server that checks this login.</summary>
    public static RegistryAuth Token(string username, string password) => new TokenLogin(username, password);

    public sealed record Anonymous : RegistryAuth;

    public sealed record HtpasswdLogin(string Username, string Password) : RegistryAuth;

    public sealed record TokenLogin(string Username, string Password) : RegistryAuth;
}
