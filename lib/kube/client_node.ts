/** The parts of @kubernetes/client-node we use; imported only through loadClientNode(). */
export { KubeConfig, PortForward } from "@kubernetes/client-node";
