using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>The load balancer in front of the workers: deploy/docker/nginx, as docker-compose.yml mounts it.</summary>
public sealed class NginxTests
{
    private static readonly ComposeFile Compose = ComposeFile.Load();
    private static readonly ComposeService Nginx = Compose.Services["nginx"];

    private static string ConfigPath =>
        Assert.Single(Nginx.Volumes, volume => volume.Target.StartsWith("/etc/nginx/", StringComparison.Ordinal)).Source;

    private static NginxConfig Config => NginxConfig.Parse(RepoFile.Read(ConfigPath));

    [Fact]
    public void The_configuration_is_mounted_from_the_checkout_read_only_as_a_site_of_nginx()
    {
        var mount = Assert.Single(Nginx.Volumes, volume => volume.Target.StartsWith("/etc/nginx/", StringComparison.Ordinal));

        Assert.True(RepoFile.Exists(mount.Source), $"{mount.Source} does not exist.");
        Assert.True(mount.ReadOnly);
        Assert.Equal("/etc/nginx/conf.d/default.conf", mount.Target); // replaces the image's default site
    }

    [Fact]
    public void The_upstream_lists_every_worker_service_on_the_port_the_worker_image_exposes()
    {
        var port = int.Parse(Dockerfile.Load(DeployedHost.Worker.Dockerfile).ExposedPorts[0],
            System.Globalization.CultureInfo.InvariantCulture);
        var upstream = Assert.Single(Config.Upstreams);

        Assert.Equal(
            DeployedHost.Worker.ComposeServices.Select(service => (service, port)).Order(),
            upstream.Value.Order());
    }

    [Fact]
    public void Every_request_is_proxied_to_the_worker_upstream()
    {
        var upstream = Assert.Single(Config.Upstreams).Key;

        Assert.Equal([upstream], Config.ProxyPasses.Distinct());
    }

    [Fact]
    public void Nginx_listens_on_the_container_port_compose_publishes()
    {
        var published = Assert.Single(Nginx.Ports);

        Assert.Contains(Config.Listens, listen => listen.Port == published.ContainerPort && listen.Address is null);
    }

    [Fact]
    public void The_healthcheck_probes_a_port_nginx_listens_on_that_is_not_published()
    {
        var url = new Uri(Nginx.HealthcheckCommand.Single(word => word.StartsWith("http://", StringComparison.Ordinal)));

        Assert.Contains(Config.Listens, listen => listen.Port == url.Port);
        Assert.DoesNotContain(Nginx.Ports, port => port.ContainerPort == url.Port);
    }
}
